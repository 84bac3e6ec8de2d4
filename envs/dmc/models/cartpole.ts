/**
 * DMC cart-pole MJCF with n poles, written for pgvar from the fact sheet (spec dmc.md §6.1):
 * RK4 at 0.01 s, contacts disabled; cart box of mass 1 on a limited slider; poles are capsules of
 * mass 0.1 and length 1, each hinged to the previous one (relative angles); qpos 0 = upright.
 */
export function cartpoleXml(nPoles: number): string {
  let poles = '';
  for (let k = nPoles; k >= 1; k--) {
    const inner = poles;
    poles = `<body name="pole_${k}" childclass="pole"${k > 1 ? ' pos="0 0 1"' : ''}>
          <joint name="hinge_${k}"/>
          <geom name="pole_${k}"/>
          ${inner}
        </body>`;
  }
  return `<mujoco model="cart-pole">
  <option timestep="0.01" integrator="RK4">
    <flag contact="disable" energy="enable"/>
  </option>
  <default>
    <default class="pole">
      <joint type="hinge" axis="0 1 0" damping="2e-6"/>
      <geom type="capsule" fromto="0 0 0 0 0 1" size="0.045" mass="0.1"/>
    </default>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 ${1 - nPoles - 0.05}" size="4 4 0.2"/>
    <geom name="rail1" type="capsule" pos="0 0.07 1" zaxis="1 0 0" size="0.02 2"/>
    <geom name="rail2" type="capsule" pos="0 -0.07 1" zaxis="1 0 0" size="0.02 2"/>
    <body name="cart" pos="0 0 1">
      <joint name="slider" type="slide" axis="1 0 0" limited="true" range="-1.8 1.8" solreflimit="0.08 1" damping="5e-4"/>
      <geom name="cart" type="box" size="0.2 0.15 0.1" mass="1"/>
      ${poles}
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="10" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
}
